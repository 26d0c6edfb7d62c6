"""The application around the cleaner: command line now; capture, WARC store, index, reader next."""
