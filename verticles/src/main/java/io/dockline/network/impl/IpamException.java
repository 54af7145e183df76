package io.dockline.network.impl;

/** A pool operation refused (its code is one of the {@code Addresses.IPAM_*} failure codes); nothing changed. */
public final class IpamException extends RuntimeException {
  private final int code;

  public IpamException(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public int code() { return code; }
}
