// Original file: proto/Flight.proto


export interface GetSessionOptionsRequest {
}

export interface GetSessionOptionsRequest__Output {
}
