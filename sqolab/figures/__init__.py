"""Static figures of the book, one module per chapter, all in the course style (figures.style)."""
