-- The platform an import gives rows without a 平台 cell (taobao, jd, …): seller tools export one platform per file
-- and never have that column. Null when every row names its own.
ALTER TABLE "imports" ADD COLUMN "default_platform" text;
