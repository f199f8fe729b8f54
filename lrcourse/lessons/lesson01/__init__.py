"""Lesson 01: its analysis, figures, panels and exercises."""
