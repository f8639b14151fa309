-- Add comments system: the comments table from the Story Hub example.

-- migrate:up
CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL,
    author_name TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE
);
CREATE INDEX idx_comments_post_id ON comments (post_id);

-- migrate:down
DROP INDEX IF EXISTS idx_comments_post_id;
DROP TABLE IF EXISTS comments;
