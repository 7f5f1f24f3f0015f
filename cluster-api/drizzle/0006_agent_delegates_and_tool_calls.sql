ALTER TABLE "agents" ADD COLUMN "delegates" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "tool_calls" bigint DEFAULT 0 NOT NULL;