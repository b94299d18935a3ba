DROP INDEX `messages_sender_client`;--> statement-breakpoint
DROP INDEX `messages_client`;--> statement-breakpoint
CREATE UNIQUE INDEX `messages_client` ON `messages` (`sender_id`,`client_id`,`sender`,`conversation_id`);