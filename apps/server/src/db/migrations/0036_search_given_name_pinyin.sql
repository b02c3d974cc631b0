-- Search rules version 2 adds given-name pinyin keys (王小明: xiaoming, ming, xm, wangxm) to search_grams.
-- Older rows go back to "not computed", and the start-up backfill recomputes them in batches.
UPDATE "customers" SET "search_version" = NULL WHERE "search_version" < 2;
