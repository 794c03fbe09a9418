"""Timeline: pure normalization of provider events (time zones, classification) and their merge."""
