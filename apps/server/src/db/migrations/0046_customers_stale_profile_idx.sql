-- 资料待更新 (listStaleProfiles): a keyset walk oldest profile first. Build at 1M customers: ~15-20 s on the
-- 2-core reference machine under load (56 MB), a plain CREATE INDEX locking writes to customers meanwhile.
CREATE INDEX "customers_stale_profile_idx" ON "customers" USING btree ("workspace_id",coalesce("profile_updated_at", "created_at"),"id") WHERE merged_into_id is null;