"""Lesson 07: its analysis, figures, panels and exercises."""
