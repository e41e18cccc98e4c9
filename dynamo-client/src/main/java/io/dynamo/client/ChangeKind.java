package io.dynamo.client;

/** A membership change an operator stages (docs/operations.md). */
public enum ChangeKind {
  JOIN,
  LEAVE,
  REMOVE,
  MARK_DOWN,
  CLEAR
}
