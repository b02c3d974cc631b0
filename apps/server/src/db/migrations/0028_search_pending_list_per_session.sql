-- The search GIN indexes' 128 kB pending-list limit moves from the indexes to the app's connections (connect() sets
-- gin_pending_list_limit=128), so that an import batch can lift it for its own transaction with SET LOCAL and merge
-- its entries in one sorted pass: an index's own limit overrides the setting, and changing an index's limit locks
-- the index against every query. The other GIN indexes keep the 4 MB they had (PostgreSQL's default), now spelled
-- out on them because the connections' setting would otherwise shrink it.
ALTER INDEX "customers_search_grams_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "customers_search_phones_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "customers_search_emails_idx" RESET (gin_pending_list_limit);--> statement-breakpoint
ALTER INDEX "customers_tag_ids_idx" SET (gin_pending_list_limit = 4096);--> statement-breakpoint
ALTER INDEX "customers_other_phones_idx" SET (gin_pending_list_limit = 4096);--> statement-breakpoint
ALTER INDEX "kb_articles_title_terms_idx" SET (gin_pending_list_limit = 4096);--> statement-breakpoint
ALTER INDEX "kb_articles_body_terms_idx" SET (gin_pending_list_limit = 4096);
