ALTER TABLE "memories" ADD COLUMN "pinned" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "memories" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "tool" jsonb;--> statement-breakpoint
CREATE INDEX "memories_search_idx" ON "memories" USING gin ("search");