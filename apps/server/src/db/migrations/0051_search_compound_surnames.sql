-- Search rules version 3: full-width Latin names (ＬｉＭｉｎｇ) get pinyin and initials, and compound surnames (欧阳)
-- lead the surname + initials key whole (ouyangnn). Only the rows these rules change go back to "not computed" for
-- the start-up backfill; search_name is already simplified, so it catches traditional forms (歐陽) too.
UPDATE "customers" SET "search_version" = NULL
WHERE "search_version" < 3
  AND ("name" ~ '[Ａ-Ｚａ-ｚ]' OR left("search_name", 2) = ANY (ARRAY['欧阳','司马','上官','诸葛','东方','皇甫','令狐','慕容','尉迟','公孙','夏侯','轩辕','端木','长孙','宇文','司徒','司空','南宫','西门','独孤','呼延','赫连','澹台','公冶','濮阳','淳于','太叔','申屠','仲孙','钟离','鲜于','闾丘','万俟','闻人','第五','百里','东郭','拓跋']));
