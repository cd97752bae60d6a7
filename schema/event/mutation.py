from __future__ import annotations

import strawberry

from resolvers import event as resolve
from resolvers.event_delete import delete_event
from resolvers.event_update import update_event
from schema.core.mutation_field import mutation_field


@strawberry.type
class EventMutation:
    create_event = mutation_field(resolve.create_event)

    update_event = mutation_field(
        update_event, description="scope THIS | THIS_AND_FOLLOWING | ALL with occurrence = the recurrenceId.")

    delete_event = mutation_field(
        delete_event, description="scope THIS | THIS_AND_FOLLOWING | ALL with occurrence = the recurrenceId.")

    respond_to_event = mutation_field(resolve.respond_to_event)

    record_attendance = mutation_field(resolve.record_attendance, description="Managers, admins or the event's owner.")
