"""The application around the cleaner: capture to WARC, store, index, search, and the CLI.

``warcio.capture_http`` is imported first, before anything can import requests or
urllib3: it patches ``http.client.HTTPConnection``, and urllib3 subclasses whatever
is there when it is first imported (otherwise captures silently record nothing).
"""

import warcio.capture_http  # noqa: F401  (import order matters, see above)
