-- Other desks are told of a save at once: a head that is made or moved forward
-- notifies the channel regen_changes with "kind/record/number" (such as
-- "plans/<id>/3"). The notification is sent in the transaction that writes the head,
-- so a desk hears of a save only once it is committed, and never of one rolled back.
-- A head that does not move (a save that lost a race) notifies nothing.

CREATE FUNCTION regen_notify_head() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('regen_changes', NEW.kind || '/' || NEW.record || '/' || NEW.number);
    RETURN NULL;
END;
$$;

CREATE TRIGGER heads_notify
    AFTER INSERT OR UPDATE ON heads
    FOR EACH ROW EXECUTE FUNCTION regen_notify_head();
