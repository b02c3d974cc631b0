-- The customer list sorted by 累计消费, 订单数 or 最近下单 (customers/customer-list-sort.ts): a page merges one keyset
-- range per (lifecycle stage, RFM tier), walked forwards or backwards; customers without orders sort as "never
-- ordered". Stage and tier lead so that filtering by them (which correlate with the values) stays a range; no tier
-- is '' so that its range too comes out in the value's order.
CREATE INDEX "customers_list_spent_idx" ON "customers" USING btree ("workspace_id","lifecycle_stage",coalesce("rfm_tier", ''),"total_spent_fen","id") WHERE merged_into_id is null;--> statement-breakpoint
CREATE INDEX "customers_list_orders_idx" ON "customers" USING btree ("workspace_id","lifecycle_stage",coalesce("rfm_tier", ''),"order_count","id") WHERE merged_into_id is null;--> statement-breakpoint
CREATE INDEX "customers_list_last_order_idx" ON "customers" USING btree ("workspace_id","lifecycle_stage",coalesce("rfm_tier", ''),coalesce("last_order_at", '-infinity'::timestamptz),"id") WHERE merged_into_id is null;