CREATE TABLE `exclusions` (
	`voter_id` text PRIMARY KEY NOT NULL,
	`meeting_id` text NOT NULL,
	`reason` text NOT NULL,
	`approved_by` text NOT NULL,
	FOREIGN KEY (`voter_id`) REFERENCES `voters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `written_opinions` (
	`poll_id` text NOT NULL,
	`voter_id` text NOT NULL,
	`choices` text NOT NULL,
	PRIMARY KEY(`poll_id`, `voter_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`voter_id`) REFERENCES `voters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `polls` ADD `scrutineers` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `voters` ADD `status` text DEFAULT 'full' NOT NULL;