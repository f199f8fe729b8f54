"""Lesson 03: its analysis, figures, panels and exercises."""
