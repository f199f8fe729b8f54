"""Lesson 06: its analysis, figures, panels and exercises."""
