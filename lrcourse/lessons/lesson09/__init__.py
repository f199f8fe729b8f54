"""Lesson 09: its analysis, figures, panels and exercises."""
