CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`conversation_id` text,
	`message_id` text,
	`uploader` text NOT NULL,
	`uploader_id` text NOT NULL,
	`sha256` text NOT NULL,
	`thumb_sha256` text,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`size` integer NOT NULL,
	`width` integer,
	`height` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`visitor_id`) REFERENCES `visitors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `attachments_visitor` ON `attachments` (`visitor_id`);--> statement-breakpoint
CREATE INDEX `attachments_conversation` ON `attachments` (`conversation_id`);--> statement-breakpoint
CREATE INDEX `attachments_sha` ON `attachments` (`sha256`);--> statement-breakpoint
CREATE INDEX `attachments_unsent` ON `attachments` (`message_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `messages` ADD `attachment` text;--> statement-breakpoint
ALTER TABLE `sites` ADD `attachments` text;