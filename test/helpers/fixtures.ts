import { DEFAULT_LICENSE } from "../../protocol/omb/constants.js";
import type { OmbProfile } from "../../protocol/omb/profile.js";
import type { Subscriber } from "../../sidecar/store/types.js";

export function fakeProfile(i: number, host = "listener.example"): OmbProfile {
  return {
    uri: `http://${host}/user/${i}`,
    profile: `http://${host}/u${i}`,
    nickname: `u${i}`,
    license: DEFAULT_LICENSE,
    fullname: `User ${i}`,
    homepage: "",
    bio: "",
    location: "",
    avatar: "",
  };
}

/** Subscriber `i`, at postNotice URL number `i % destinations`. */
export function fakeSubscriber(i: number, destinations = 1_000_000): Subscriber {
  const profile = fakeProfile(i);
  return {
    uri: profile.uri,
    profile,
    postNoticeUrl: `http://listener.example/${i % destinations}/postnotice`,
    updateProfileUrl: `http://listener.example/${i % destinations}/updateprofile`,
    token: `tok${i}`,
    secret: `sec${i}`,
    subscribedAt: new Date(0).toISOString(),
  };
}
