CREATE TABLE `decisions` (
	`poll_id` text NOT NULL,
	`question_id` text NOT NULL,
	`step` text NOT NULL,
	`outcome` text NOT NULL,
	`decided_by` text NOT NULL,
	`date` text NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`poll_id`, `question_id`, `step`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
