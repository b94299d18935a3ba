ALTER TABLE `conversations` ADD `rating_verdict` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `rating_nps` integer;--> statement-breakpoint
UPDATE `conversations` SET `rating_verdict` = (SELECT r.`verdict` FROM `ratings` r WHERE r.`conversation_id` = `conversations`.`id`), `rating_nps` = (SELECT r.`nps` FROM `ratings` r WHERE r.`conversation_id` = `conversations`.`id`);
