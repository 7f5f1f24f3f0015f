ALTER TABLE "conversations" ADD COLUMN "principal" text;--> statement-breakpoint
ALTER TABLE "memories" ADD COLUMN "principal" text;--> statement-breakpoint
CREATE INDEX "conversations_agent_principal_updated_idx" ON "conversations" USING btree ("agent_id","principal","updated_at");--> statement-breakpoint
CREATE INDEX "memories_agent_principal_idx" ON "memories" USING btree ("agent_id","principal","created_at");