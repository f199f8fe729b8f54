"""Lesson 00: its analysis, figures, panels and exercises."""
