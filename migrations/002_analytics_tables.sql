-- Analytics: one row per post view, and a per-post, per-day roll-up.

-- migrate:up
CREATE TABLE post_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    viewed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX idx_post_views_post_id ON post_views (post_id);
CREATE INDEX idx_post_views_viewed_at ON post_views (viewed_at);

CREATE TABLE daily_post_stats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    views INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0),
    UNIQUE (post_id, day)
);
CREATE INDEX idx_daily_post_stats_day ON daily_post_stats (day);

-- migrate:down
DROP INDEX IF EXISTS idx_daily_post_stats_day;
DROP TABLE IF EXISTS daily_post_stats;
DROP INDEX IF EXISTS idx_post_views_viewed_at;
DROP INDEX IF EXISTS idx_post_views_post_id;
DROP TABLE IF EXISTS post_views;
