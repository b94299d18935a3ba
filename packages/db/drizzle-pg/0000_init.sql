CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	"push_prefs" jsonb,
	CONSTRAINT "accounts_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"scopes" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"last_used_at" bigint,
	"expires_at" bigint,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"visitor_id" text NOT NULL,
	"conversation_id" text,
	"message_id" text,
	"uploader" text NOT NULL,
	"uploader_id" text NOT NULL,
	"sha256" text NOT NULL,
	"thumb_sha256" text,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"size" bigint NOT NULL,
	"width" bigint,
	"height" bigint,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"token_id" text NOT NULL,
	"token_name" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"status" bigint NOT NULL,
	"ip" text,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"visitor_id" text,
	"ip" text,
	"reason" text NOT NULL,
	"by_id" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "canned" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"owner_id" text,
	"shortcut" text NOT NULL,
	"body" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"visitor_id" text NOT NULL,
	"status" text NOT NULL,
	"assignee_id" text,
	"previous_id" text,
	"last_seq" bigint NOT NULL,
	"last_message_at" bigint NOT NULL,
	"last_message_preview" text NOT NULL,
	"visitor_read_seq" bigint NOT NULL,
	"operator_read_seq" bigint NOT NULL,
	"operator_unread" bigint DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"assigned_at" bigint,
	"closed_at" bigint,
	"closed_reason" text,
	"offer_id" text,
	"rule_id" text,
	"variant" text,
	"priority" bigint DEFAULT 0 NOT NULL,
	"department" text,
	"moves" bigint DEFAULT 0 NOT NULL,
	"tried" jsonb,
	"head" boolean DEFAULT false NOT NULL,
	"last_operator_at" bigint,
	"first_operator_at" bigint,
	"first_assigned_at" bigint,
	"visitor_messages" bigint DEFAULT 0 NOT NULL,
	"operator_messages" bigint DEFAULT 0 NOT NULL,
	"rating_verdict" text,
	"rating_nps" bigint
);
--> statement-breakpoint
CREATE TABLE "deadlines" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"due_at" bigint NOT NULL,
	"payload" jsonb,
	"claimed_at" bigint,
	"claimed_by" text,
	CONSTRAINT "deadlines_kind_key_pk" PRIMARY KEY("kind","key")
);
--> statement-breakpoint
CREATE TABLE "emails" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"kind" text NOT NULL,
	"ref" text,
	"visitor_id" text,
	"to" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text NOT NULL,
	"status" text NOT NULL,
	"attempts" bigint NOT NULL,
	"next_at" bigint NOT NULL,
	"lease_until" bigint,
	"last_error" text,
	"created_at" bigint NOT NULL,
	"sent_at" bigint
);
--> statement-breakpoint
CREATE TABLE "follow_up_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"follow_up_id" text NOT NULL,
	"author_id" text NOT NULL,
	"author_name" text NOT NULL,
	"body" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "follow_ups" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"conversation_id" text NOT NULL,
	"visitor_id" text NOT NULL,
	"operator_id" text,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"assignee_id" text,
	"outcome" text,
	"created_at" bigint NOT NULL,
	"resolved_at" bigint
);
--> statement-breakpoint
CREATE TABLE "inbox_items" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"visitor_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"phone" text NOT NULL,
	"preferred_time" text NOT NULL,
	"body" text NOT NULL,
	"offer_id" text,
	"page_url" text NOT NULL,
	"assignee_id" text,
	"answer" text,
	"answered_at" bigint,
	"answer_seen_at" bigint,
	"created_at" bigint NOT NULL,
	"resolved_at" bigint
);
--> statement-breakpoint
CREATE TABLE "journey_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"visitor_id" text NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"account_id" text NOT NULL,
	"site_id" text NOT NULL,
	"role" text NOT NULL,
	"capacity" bigint NOT NULL,
	"skills" jsonb,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "memberships_account_id_site_id_pk" PRIMARY KEY("account_id","site_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"client_id" text NOT NULL,
	"sender" text NOT NULL,
	"sender_id" text NOT NULL,
	"author_name" text,
	"body" text NOT NULL,
	"created_at" bigint NOT NULL,
	"attachment" jsonb,
	"edited_at" bigint,
	"deleted_at" bigint
);
--> statement-breakpoint
CREATE TABLE "meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notes" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"author_id" text NOT NULL,
	"author_name" text NOT NULL,
	"body" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "offer_holds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"visitor_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"reason" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "offers" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"visitor_id" text NOT NULL,
	"rule_id" text,
	"rule_name" text NOT NULL,
	"variant" text NOT NULL,
	"kind" text NOT NULL,
	"holdout" boolean NOT NULL,
	"session_started_at" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"dismissed_at" bigint,
	"accepted_at" bigint,
	"expired_at" bigint,
	"converted_at" bigint,
	"value_cents" bigint,
	"goal_event" text,
	"goal_window_hours" bigint,
	"conversation_id" text,
	"invited_by" text
);
--> statement-breakpoint
CREATE TABLE "origin_sightings" (
	"site_id" text NOT NULL,
	"origin" text NOT NULL,
	"allowed" boolean NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "origin_sightings_site_id_origin_pk" PRIMARY KEY("site_id","origin")
);
--> statement-breakpoint
CREATE TABLE "push_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"endpoint" text NOT NULL,
	"p256dh" text NOT NULL,
	"auth" text NOT NULL,
	"user_agent" text,
	"created_at" bigint NOT NULL,
	"last_ok_at" bigint,
	"failures" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "push_subscriptions_endpoint_unique" UNIQUE("endpoint")
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"conversation_id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"visitor_id" text NOT NULL,
	"operator_id" text,
	"verdict" text NOT NULL,
	"comment" text NOT NULL,
	"nps" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"conversation_id" text NOT NULL,
	"kind" text NOT NULL,
	"operator_id" text,
	"reason" jsonb NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rules" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"allowed_origins" jsonb NOT NULL,
	"appearance" jsonb NOT NULL,
	"default_lang" text NOT NULL,
	"idle_close_minutes" bigint NOT NULL,
	"engagement" jsonb,
	"hours" jsonb,
	"identity_secret" text,
	"routing" jsonb,
	"phrases" jsonb,
	"retention" jsonb,
	"quality" jsonb,
	"attachments" jsonb,
	"created_at" bigint NOT NULL,
	CONSTRAINT "sites_key_unique" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "visitors" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"name" text,
	"email" text,
	"lang" text,
	"user_agent" text,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"user_id" text,
	"visits" bigint DEFAULT 0 NOT NULL,
	"session_started_at" bigint,
	"segment" jsonb
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"endpoint_id" text NOT NULL,
	"site_id" text NOT NULL,
	"event_id" text NOT NULL,
	"event" text NOT NULL,
	"order_key" text NOT NULL,
	"visitor_id" text,
	"body" text NOT NULL,
	"status" text NOT NULL,
	"attempts" bigint NOT NULL,
	"next_at" bigint NOT NULL,
	"lease_until" bigint,
	"created_at" bigint NOT NULL,
	"finished_at" bigint,
	"last_status" bigint,
	"last_error" text,
	"last_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"url" text NOT NULL,
	"description" text NOT NULL,
	"events" jsonb NOT NULL,
	"secret" text NOT NULL,
	"enabled" boolean NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_visitor_id_visitors_id_fk" FOREIGN KEY ("visitor_id") REFERENCES "public"."visitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_sessions" ADD CONSTRAINT "auth_sessions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "canned" ADD CONSTRAINT "canned_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_visitor_id_visitors_id_fk" FOREIGN KEY ("visitor_id") REFERENCES "public"."visitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_assignee_id_accounts_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "emails" ADD CONSTRAINT "emails_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_up_notes" ADD CONSTRAINT "follow_up_notes_follow_up_id_follow_ups_id_fk" FOREIGN KEY ("follow_up_id") REFERENCES "public"."follow_ups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notes" ADD CONSTRAINT "notes_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offers" ADD CONSTRAINT "offers_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offers" ADD CONSTRAINT "offers_visitor_id_visitors_id_fk" FOREIGN KEY ("visitor_id") REFERENCES "public"."visitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "origin_sightings" ADD CONSTRAINT "origin_sightings_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rules" ADD CONSTRAINT "rules_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "visitors" ADD CONSTRAINT "visitors_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."webhook_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash" ON "api_tokens" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "api_tokens_site" ON "api_tokens" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "attachments_visitor" ON "attachments" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "attachments_conversation" ON "attachments" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "attachments_sha" ON "attachments" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "attachments_unsent" ON "attachments" USING btree ("message_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_site" ON "audit_log" USING btree ("site_id","seq");--> statement-breakpoint
CREATE INDEX "audit_log_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "auth_sessions_account" ON "auth_sessions" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "blocks_site" ON "blocks" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "canned_site" ON "canned" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "conversations_site_status" ON "conversations" USING btree ("site_id","status");--> statement-breakpoint
CREATE INDEX "conversations_visitor" ON "conversations" USING btree ("visitor_id","created_at");--> statement-breakpoint
CREATE INDEX "conversations_assignee" ON "conversations" USING btree ("assignee_id","status");--> statement-breakpoint
CREATE INDEX "conversations_site_created" ON "conversations" USING btree ("site_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_one_open" ON "conversations" USING btree ("visitor_id") WHERE "conversations"."status" <> 'closed';--> statement-breakpoint
CREATE INDEX "deadlines_due" ON "deadlines" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "emails_due" ON "emails" USING btree ("status","next_at");--> statement-breakpoint
CREATE INDEX "emails_ref" ON "emails" USING btree ("ref");--> statement-breakpoint
CREATE INDEX "emails_site" ON "emails" USING btree ("site_id","created_at");--> statement-breakpoint
CREATE INDEX "emails_visitor" ON "emails" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "follow_up_notes_follow_up" ON "follow_up_notes" USING btree ("follow_up_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "follow_ups_conversation" ON "follow_ups" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "follow_ups_site" ON "follow_ups" USING btree ("site_id","status","created_at");--> statement-breakpoint
CREATE INDEX "follow_ups_visitor" ON "follow_ups" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "inbox_site" ON "inbox_items" USING btree ("site_id","status","created_at");--> statement-breakpoint
CREATE INDEX "inbox_visitor" ON "inbox_items" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "journey_events_visitor" ON "journey_events" USING btree ("visitor_id","at");--> statement-breakpoint
CREATE INDEX "journey_events_at" ON "journey_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "memberships_site" ON "memberships" USING btree ("site_id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_seq" ON "messages" USING btree ("conversation_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_client" ON "messages" USING btree ("conversation_id","sender","sender_id","client_id");--> statement-breakpoint
CREATE INDEX "messages_sender_client" ON "messages" USING btree ("sender_id","client_id");--> statement-breakpoint
CREATE INDEX "notes_conv" ON "notes" USING btree ("conversation_id","created_at");--> statement-breakpoint
CREATE INDEX "offer_holds_visitor" ON "offer_holds" USING btree ("visitor_id","at");--> statement-breakpoint
CREATE INDEX "offer_holds_at" ON "offer_holds" USING btree ("at");--> statement-breakpoint
CREATE INDEX "offers_visitor" ON "offers" USING btree ("visitor_id","created_at");--> statement-breakpoint
CREATE INDEX "offers_rule" ON "offers" USING btree ("site_id","rule_id");--> statement-breakpoint
CREATE INDEX "push_subscriptions_account" ON "push_subscriptions" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "ratings_site" ON "ratings" USING btree ("site_id","created_at");--> statement-breakpoint
CREATE INDEX "ratings_visitor" ON "ratings" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "routing_events_conv" ON "routing_events" USING btree ("conversation_id","at");--> statement-breakpoint
CREATE INDEX "rules_site" ON "rules" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "visitors_site" ON "visitors" USING btree ("site_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_id" ON "webhook_deliveries" USING btree ("id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due" ON "webhook_deliveries" USING btree ("status","next_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_stream" ON "webhook_deliveries" USING btree ("endpoint_id","order_key","seq");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_endpoint" ON "webhook_deliveries" USING btree ("endpoint_id","seq");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_visitor" ON "webhook_deliveries" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "webhook_endpoints_site" ON "webhook_endpoints" USING btree ("site_id");