"""gunicorn's settings for the web service: `gunicorn -c config/gunicorn.py config.wsgi:application`
(docker-compose.yml's web, the Dockerfile's CMD). Everything can be set from the environment."""

import os

from gunicorn.glogging import Logger

from common.logfilter import HideNumbers

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# A worker is replaced after this many requests (spread out so that not all at once): what parsing
# a large upload took stays with the worker only until then.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "500"))
max_requests_jitter = 50
# X-Forwarded-Proto (HTTPS or not) is believed from the TLS proxy only, the same addresses the
# application believes X-Forwarded-For from (TRUSTED_PROXIES; empty: from nobody).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")
# The access log: no query string (a search typed into an address may hold a whole ID number) and
# no referrer (which may hold one too); whatever is left is masked like every other log.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


class MaskedLogger(Logger):
    """gunicorn's logger with our number-masking filter on its access and error logs."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, HideNumbers) for f in log.filters):
                log.addFilter(HideNumbers())


logger_class = MaskedLogger
