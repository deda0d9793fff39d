"""Sessions kept in Redis and in the database (Django's cached_db), read from Redis.

Why not Redis alone: with Redis down every user would be logged out and no one could log in,
while today's pages work without Redis (common/cache.py). Here a session is read from the cache
and, when the cache is down or has lost it, from the database; a down or hung Redis costs what
it costs the other cached values (one socket timeout, then the cache is left alone for a while:
common.cache.available/failed).

Why not cached_db as Django ships it: the idle timeout moves the expiry on with each request
(SESSION_SAVE_EVERY_REQUEST), and cached_db writes the database on every save. Here a save that
only moves the expiry goes to the cache alone, and the database copy's expiry is brought along
at most every DB_REFRESH_SECONDS (so with Redis lost a session may end that much early); a save
that changes the session's data (a login, a message, a form's state) writes both. A cached copy
whose database copy is older than that is read from the database again, so a session deleted
while the cache could not be told (logout during a Redis outage) ends within DB_REFRESH_SECONDS."""

import time
from typing import TYPE_CHECKING, Any

from django.contrib.sessions.backends import cached_db

from common import cache

DB_REFRESH_SECONDS = 300
WRITTEN = "_db_written_at"  # when the database copy was last written (epoch seconds)


class SessionStore(cached_db.SessionStore):
    if TYPE_CHECKING:  # what Django's cached_db and db stores have and django-stubs leaves out
        _cache: Any
        _session: dict[str, Any]

        def _get_session_from_db(self) -> Any: ...

    def load(self) -> dict[str, Any]:
        key = self.cache_key
        data = self._cache_call("reading a session", lambda: self._cache.get(key))
        stale = data is not None and time.time() - data.get(WRITTEN, 0) >= DB_REFRESH_SECONDS
        if data is None or stale:  # stale: the database says whether it still exists (see delete)
            row = self._get_session_from_db()
            data = self.decode(row.session_data) if row else {}
            if stale and not row:
                self._cache_call("removing a session", lambda: self._cache.delete(key))
            if row:
                age = self.get_expiry_age(expiry=row.expire_date)
                self._cache_call("keeping a session", lambda: self._cache.set(self.cache_key, data, age))
        self._as_loaded = dict(data)
        return data

    def exists(self, session_key: str | None) -> bool:
        if not session_key:
            return False
        key = self.cache_key_prefix + session_key
        return bool(self._cache_call("looking up a session", lambda: key in self._cache)) or super(
            cached_db.SessionStore, self
        ).exists(session_key)

    def save(self, must_create: bool = False) -> None:
        if not must_create and self._only_the_expiry_moves():
            self._keep()
            return
        self._session[WRITTEN] = int(time.time())
        super(cached_db.SessionStore, self).save(must_create)  # the database
        self._as_loaded = dict(self._session)
        self._keep()

    def delete(self, session_key: str | None = None) -> None:
        """Gone from the database, and from the cache unless the cache is down or resting (a
        login or logout does not wait for a hung Redis). A copy left there outlives the logout
        only until DB_REFRESH_SECONDS after its last database write: `load` then asks the
        database, which no longer has it."""
        super(cached_db.SessionStore, self).delete(session_key)
        key = session_key or self.session_key
        if key is not None:
            self._cache_call("removing a session", lambda: self._cache.delete(self.cache_key_prefix + key))

    def _only_the_expiry_moves(self) -> bool:
        unchanged = self._session == getattr(self, "_as_loaded", None)
        recent = time.time() - self._session.get(WRITTEN, 0) < DB_REFRESH_SECONDS
        return unchanged and recent and cache.available()

    def _keep(self) -> None:
        data, age = self._session, self.get_expiry_age()
        self._cache_call("keeping a session", lambda: self._cache.set(self.cache_key, data, age))

    def _cache_call(self, what: str, call: Any) -> Any:
        """call(), or None when the cache is resting or fails now (then it rests)."""
        return cache.call(what, call, None)
