-- migrate:up foreign_keys:off
CREATE TABLE new_t (x, "where" TEXT, [drop] INT, `end` INT);
INSERT INTO new_t SELECT x, 'WHERE', 1, 2 FROM t;
DROP TABLE IF EXISTS main.t;
ALTER TABLE new_t RENAME TO "t";
ALTER TABLE u DROP COLUMN y;
DELETE FROM a; -- WHERE
UPDATE a SET x = (SELECT 1 FROM b WHERE y);
WITH c AS (SELECT 1 WHERE 1) DELETE FROM a;
CREATE TRIGGER tr AFTER INSERT ON a BEGIN
  DELETE FROM log;
  SELECT CASE WHEN 1 THEN 2 END;
END;
VACUUM;
PRAGMA journal_mode = WAL;
PRAGMA main.foreign_keys=off;
PRAGMA wal_checkpoint(TRUNCATE);
SAVEPOINT s; ROLLBACK TO s; RELEASE s;
BEGIN; COMMIT;
-- migrate:down transaction:false
DELETE FROM t
