FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# PDF documents (WeasyPrint): Pango with HarfBuzz subsetting, and a CJK font (Noto Serif/Sans CJK)
# so Chinese text renders; nothing is fetched at run time (closed networks).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
# The application runs as an unprivileged user that owns only what it writes: the
# media volume (uploads, exports). The code and the static files stay root's, read-only to it.
# .dockerignore keeps .env, .git, backups/ and media/ (whole ID numbers) out of the image.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e . \
    && mkdir -p /srv/media \
    && chown app:app /srv/media
# Static files are collected into the image (hashed names, gzip and Brotli variants) and served by
# the application itself (whitenoise); they stay root's, read-only to the application. The
# variables are for this build step only: production settings refuse to load without them.
RUN DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=collectstatic-only \
    ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:///:memory: \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
