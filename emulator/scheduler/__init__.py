"""EventBridge Scheduler: schedules that fire."""
