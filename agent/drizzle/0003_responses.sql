CREATE TABLE "responses" (
	"id" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"principal" text,
	"conversation_id" uuid NOT NULL,
	"previous_response_id" text,
	"turn" jsonb NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "responses" ADD CONSTRAINT "responses_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "responses_agent_principal_idx" ON "responses" USING btree ("agent_id","principal");