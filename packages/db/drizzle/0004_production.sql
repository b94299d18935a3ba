CREATE TABLE `deadlines` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`due_at` integer NOT NULL,
	`payload` text,
	`claimed_at` integer,
	`claimed_by` text,
	PRIMARY KEY(`kind`, `key`)
);
--> statement-breakpoint
CREATE INDEX `deadlines_due` ON `deadlines` (`due_at`);--> statement-breakpoint
CREATE TABLE `origin_sightings` (
	`site_id` text NOT NULL,
	`origin` text NOT NULL,
	`allowed` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`site_id`, `origin`),
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `memberships` ADD `disabled` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `sites` ADD `retention` text;--> statement-breakpoint
CREATE INDEX `messages_sender_client` ON `messages` (`sender_id`,`client_id`);