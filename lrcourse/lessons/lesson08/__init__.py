"""Lesson 08: its analysis, figures, panels and exercises."""
