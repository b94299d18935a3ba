CREATE INDEX `journey_events_at` ON `journey_events` (`at`);--> statement-breakpoint
CREATE INDEX `offer_holds_at` ON `offer_holds` (`at`);