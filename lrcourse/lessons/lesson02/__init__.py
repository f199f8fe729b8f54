"""Lesson 02: its analysis, figures, panels and exercises."""
