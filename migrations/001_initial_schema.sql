-- Initial schema: roles, users, categories and posts.
-- Users belong to a role; posts belong to an author (deleted with the
-- author) and optionally to a category (kept, uncategorised, when the
-- category goes). A trigger keeps posts.updated_at current.

-- migrate:up
CREATE TABLE roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    description TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT UNIQUE NOT NULL CHECK (length(username) BETWEEN 3 AND 64),
    email TEXT UNIQUE NOT NULL CHECK (email LIKE '%_@_%'),
    password_hash TEXT NOT NULL,
    role_id INTEGER NOT NULL REFERENCES roles (id),
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_login_at TIMESTAMP
);
CREATE INDEX idx_users_role_id ON users (role_id);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    slug TEXT UNIQUE NOT NULL CHECK (slug NOT GLOB '*[^a-z0-9-]*'),
    description TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    slug TEXT UNIQUE NOT NULL,
    content TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    published_at TIMESTAMP,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_posts_author_id ON posts (author_id);
CREATE INDEX idx_posts_category_id ON posts (category_id);
CREATE INDEX idx_posts_status_published_at ON posts (status, published_at);

-- The body holds a ';' of its own: statement splitting must keep it whole.
CREATE TRIGGER trg_posts_updated_at
AFTER UPDATE ON posts
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE posts SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

-- migrate:down
DROP TRIGGER IF EXISTS trg_posts_updated_at;
DROP INDEX IF EXISTS idx_posts_status_published_at;
DROP INDEX IF EXISTS idx_posts_category_id;
DROP INDEX IF EXISTS idx_posts_author_id;
DROP TABLE IF EXISTS posts;
DROP TABLE IF EXISTS categories;
DROP INDEX IF EXISTS idx_users_role_id;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS roles;
