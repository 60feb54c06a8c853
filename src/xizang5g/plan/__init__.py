"""Plan supervision (规划督办): the plan, goals, tasks, work points, pilot projects, progress."""
