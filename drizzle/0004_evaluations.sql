CREATE TABLE `self_evaluations` (
	`poll_id` text NOT NULL,
	`question_id` text NOT NULL,
	`voter_id` text NOT NULL,
	`scores` text NOT NULL,
	PRIMARY KEY(`poll_id`, `question_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`voter_id`) REFERENCES `voters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `polls` ADD `candidate_numbers` text DEFAULT '{}' NOT NULL;