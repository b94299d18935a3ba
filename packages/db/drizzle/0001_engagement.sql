CREATE TABLE `inbox_items` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`phone` text NOT NULL,
	`preferred_time` text NOT NULL,
	`body` text NOT NULL,
	`offer_id` text,
	`page_url` text NOT NULL,
	`assignee_id` text,
	`answer` text,
	`answered_at` integer,
	`answer_seen_at` integer,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `inbox_site` ON `inbox_items` (`site_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `inbox_visitor` ON `inbox_items` (`visitor_id`);--> statement-breakpoint
CREATE TABLE `journey_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `journey_events_visitor` ON `journey_events` (`visitor_id`,`at`);--> statement-breakpoint
CREATE TABLE `offer_holds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`reason` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `offer_holds_visitor` ON `offer_holds` (`visitor_id`,`at`);--> statement-breakpoint
CREATE TABLE `offers` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`rule_id` text,
	`rule_name` text NOT NULL,
	`variant` text NOT NULL,
	`kind` text NOT NULL,
	`holdout` integer NOT NULL,
	`session_started_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`dismissed_at` integer,
	`accepted_at` integer,
	`expired_at` integer,
	`converted_at` integer,
	`value_cents` integer,
	`goal_event` text,
	`goal_window_hours` integer,
	`conversation_id` text,
	`invited_by` text,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`visitor_id`) REFERENCES `visitors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `offers_visitor` ON `offers` (`visitor_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `offers_rule` ON `offers` (`site_id`,`rule_id`);--> statement-breakpoint
CREATE TABLE `rules` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`definition` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rules_site` ON `rules` (`site_id`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `offer_id` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `rule_id` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `variant` text;--> statement-breakpoint
ALTER TABLE `sites` ADD `engagement` text;--> statement-breakpoint
ALTER TABLE `sites` ADD `hours` text;--> statement-breakpoint
ALTER TABLE `sites` ADD `identity_secret` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `user_id` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `visits` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `visitors` ADD `session_started_at` integer;--> statement-breakpoint
ALTER TABLE `visitors` ADD `segment` text;