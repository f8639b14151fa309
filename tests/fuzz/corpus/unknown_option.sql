-- c

-- migrate:up foo:bar
CREATE TABLE t (x);
