"""Lesson 05: its analysis, figures, panels and exercises."""
