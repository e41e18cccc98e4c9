package io.dynamo.core.node;

import com.google.protobuf.ByteString;
import io.dynamo.proto.v1.DeleteRequest;
import io.dynamo.proto.v1.ForwardRequest;
import io.dynamo.proto.v1.PutRequest;

/** A put or delete as the coordinator sees it: a delete is a put of a tombstone. */
record WriteCommand(
    String bucket, ByteString key, ByteString context, ByteString value, int w, boolean delete,
    PutRequest put, DeleteRequest del) {

  static WriteCommand of(PutRequest put) {
    return new WriteCommand(
        put.getBucket(), put.getKey(), put.getContext(), put.getValue(), put.getQuorum().getW(),
        false, put, null);
  }

  static WriteCommand of(DeleteRequest delete) {
    return new WriteCommand(
        delete.getBucket(), delete.getKey(), delete.getContext(), ByteString.EMPTY,
        delete.getQuorum().getW(), true, null, delete);
  }

  void addTo(ForwardRequest.Builder forward) {
    if (delete) {
      forward.setDelete(del);
    } else {
      forward.setPut(put);
    }
  }
}
