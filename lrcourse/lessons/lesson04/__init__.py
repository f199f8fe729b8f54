"""Lesson 04: its analysis, figures, panels and exercises."""
