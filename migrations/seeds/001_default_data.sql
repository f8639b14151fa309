-- Default data for a new database (applied by `runner init`, after all
-- migrations): the standard roles, a few categories, the admin account and a
-- welcome post. Replace the admin password hash before going to production.

INSERT INTO roles (name, description) VALUES
    ('admin',  'Full access: manage users, roles, categories and all posts'),
    ('editor', 'Write, edit and publish posts'),
    ('reader', 'Read published posts and comment');

INSERT INTO categories (name, slug, description) VALUES
    ('General',       'general',       'Everything else'),
    ('Announcements', 'announcements', 'News about Story Hub itself'),
    ('Tutorials',     'tutorials',     'How-to guides and walkthroughs');

INSERT INTO users (username, email, password_hash, role_id)
SELECT 'admin', 'admin@example.com', '!change-me', id FROM roles WHERE name = 'admin';

INSERT INTO posts (title, slug, content, author_id, category_id, status, published_at)
SELECT 'Welcome to Story Hub',
       'welcome-to-story-hub',
       'Your Story Hub is ready; sign in as admin and start writing.',
       u.id, c.id, 'published', CURRENT_TIMESTAMP
FROM users AS u, categories AS c
WHERE u.username = 'admin' AND c.slug = 'announcements';
