CREATE TABLE `emails` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`kind` text NOT NULL,
	`ref` text,
	`visitor_id` text,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `emails_due` ON `emails` (`status`,`next_at`);--> statement-breakpoint
CREATE INDEX `emails_ref` ON `emails` (`ref`);--> statement-breakpoint
CREATE INDEX `emails_site` ON `emails` (`site_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `emails_visitor` ON `emails` (`visitor_id`);--> statement-breakpoint
CREATE TABLE `follow_up_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`follow_up_id` text NOT NULL,
	`author_id` text NOT NULL,
	`author_name` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`follow_up_id`) REFERENCES `follow_ups`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `follow_up_notes_follow_up` ON `follow_up_notes` (`follow_up_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `follow_ups` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`operator_id` text,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`assignee_id` text,
	`outcome` text,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `follow_ups_conversation` ON `follow_ups` (`conversation_id`);--> statement-breakpoint
CREATE INDEX `follow_ups_site` ON `follow_ups` (`site_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `follow_ups_visitor` ON `follow_ups` (`visitor_id`);--> statement-breakpoint
CREATE TABLE `ratings` (
	`conversation_id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`operator_id` text,
	`verdict` text NOT NULL,
	`comment` text NOT NULL,
	`nps` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ratings_site` ON `ratings` (`site_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `ratings_visitor` ON `ratings` (`visitor_id`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `first_operator_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `first_assigned_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `visitor_messages` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `operator_messages` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `conversations_site_created` ON `conversations` (`site_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `sites` ADD `quality` text;--> statement-breakpoint
UPDATE `conversations` SET
  `first_operator_at` = (SELECT min(m.`created_at`) FROM `messages` m WHERE m.`conversation_id` = `conversations`.`id` AND m.`sender` = 'operator'),
  `first_assigned_at` = coalesce(`assigned_at`, (SELECT min(r.`at`) FROM `routing_events` r WHERE r.`conversation_id` = `conversations`.`id` AND r.`kind` IN ('assigned', 'taken', 'transferred', 'reassigned'))),
  `visitor_messages` = (SELECT count(*) FROM `messages` m WHERE m.`conversation_id` = `conversations`.`id` AND m.`sender` = 'visitor'),
  `operator_messages` = (SELECT count(*) FROM `messages` m WHERE m.`conversation_id` = `conversations`.`id` AND m.`sender` = 'operator');
