import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Action as _arrow_flight_protocol_Action, Action__Output as _arrow_flight_protocol_Action__Output } from './arrow/flight/protocol/Action';
import type { ActionType as _arrow_flight_protocol_ActionType, ActionType__Output as _arrow_flight_protocol_ActionType__Output } from './arrow/flight/protocol/ActionType';
import type { BasicAuth as _arrow_flight_protocol_BasicAuth, BasicAuth__Output as _arrow_flight_protocol_BasicAuth__Output } from './arrow/flight/protocol/BasicAuth';
import type { CancelFlightInfoRequest as _arrow_flight_protocol_CancelFlightInfoRequest, CancelFlightInfoRequest__Output as _arrow_flight_protocol_CancelFlightInfoRequest__Output } from './arrow/flight/protocol/CancelFlightInfoRequest';
import type { CancelFlightInfoResult as _arrow_flight_protocol_CancelFlightInfoResult, CancelFlightInfoResult__Output as _arrow_flight_protocol_CancelFlightInfoResult__Output } from './arrow/flight/protocol/CancelFlightInfoResult';
import type { CloseSessionRequest as _arrow_flight_protocol_CloseSessionRequest, CloseSessionRequest__Output as _arrow_flight_protocol_CloseSessionRequest__Output } from './arrow/flight/protocol/CloseSessionRequest';
import type { CloseSessionResult as _arrow_flight_protocol_CloseSessionResult, CloseSessionResult__Output as _arrow_flight_protocol_CloseSessionResult__Output } from './arrow/flight/protocol/CloseSessionResult';
import type { Criteria as _arrow_flight_protocol_Criteria, Criteria__Output as _arrow_flight_protocol_Criteria__Output } from './arrow/flight/protocol/Criteria';
import type { Empty as _arrow_flight_protocol_Empty, Empty__Output as _arrow_flight_protocol_Empty__Output } from './arrow/flight/protocol/Empty';
import type { FlightData as _arrow_flight_protocol_FlightData, FlightData__Output as _arrow_flight_protocol_FlightData__Output } from './arrow/flight/protocol/FlightData';
import type { FlightDescriptor as _arrow_flight_protocol_FlightDescriptor, FlightDescriptor__Output as _arrow_flight_protocol_FlightDescriptor__Output } from './arrow/flight/protocol/FlightDescriptor';
import type { FlightEndpoint as _arrow_flight_protocol_FlightEndpoint, FlightEndpoint__Output as _arrow_flight_protocol_FlightEndpoint__Output } from './arrow/flight/protocol/FlightEndpoint';
import type { FlightInfo as _arrow_flight_protocol_FlightInfo, FlightInfo__Output as _arrow_flight_protocol_FlightInfo__Output } from './arrow/flight/protocol/FlightInfo';
import type { FlightServiceClient as _arrow_flight_protocol_FlightServiceClient, FlightServiceDefinition as _arrow_flight_protocol_FlightServiceDefinition } from './arrow/flight/protocol/FlightService';
import type { GetSessionOptionsRequest as _arrow_flight_protocol_GetSessionOptionsRequest, GetSessionOptionsRequest__Output as _arrow_flight_protocol_GetSessionOptionsRequest__Output } from './arrow/flight/protocol/GetSessionOptionsRequest';
import type { GetSessionOptionsResult as _arrow_flight_protocol_GetSessionOptionsResult, GetSessionOptionsResult__Output as _arrow_flight_protocol_GetSessionOptionsResult__Output } from './arrow/flight/protocol/GetSessionOptionsResult';
import type { HandshakeRequest as _arrow_flight_protocol_HandshakeRequest, HandshakeRequest__Output as _arrow_flight_protocol_HandshakeRequest__Output } from './arrow/flight/protocol/HandshakeRequest';
import type { HandshakeResponse as _arrow_flight_protocol_HandshakeResponse, HandshakeResponse__Output as _arrow_flight_protocol_HandshakeResponse__Output } from './arrow/flight/protocol/HandshakeResponse';
import type { Location as _arrow_flight_protocol_Location, Location__Output as _arrow_flight_protocol_Location__Output } from './arrow/flight/protocol/Location';
import type { PollInfo as _arrow_flight_protocol_PollInfo, PollInfo__Output as _arrow_flight_protocol_PollInfo__Output } from './arrow/flight/protocol/PollInfo';
import type { PutResult as _arrow_flight_protocol_PutResult, PutResult__Output as _arrow_flight_protocol_PutResult__Output } from './arrow/flight/protocol/PutResult';
import type { RenewFlightEndpointRequest as _arrow_flight_protocol_RenewFlightEndpointRequest, RenewFlightEndpointRequest__Output as _arrow_flight_protocol_RenewFlightEndpointRequest__Output } from './arrow/flight/protocol/RenewFlightEndpointRequest';
import type { Result as _arrow_flight_protocol_Result, Result__Output as _arrow_flight_protocol_Result__Output } from './arrow/flight/protocol/Result';
import type { SchemaResult as _arrow_flight_protocol_SchemaResult, SchemaResult__Output as _arrow_flight_protocol_SchemaResult__Output } from './arrow/flight/protocol/SchemaResult';
import type { SessionOptionValue as _arrow_flight_protocol_SessionOptionValue, SessionOptionValue__Output as _arrow_flight_protocol_SessionOptionValue__Output } from './arrow/flight/protocol/SessionOptionValue';
import type { SetSessionOptionsRequest as _arrow_flight_protocol_SetSessionOptionsRequest, SetSessionOptionsRequest__Output as _arrow_flight_protocol_SetSessionOptionsRequest__Output } from './arrow/flight/protocol/SetSessionOptionsRequest';
import type { SetSessionOptionsResult as _arrow_flight_protocol_SetSessionOptionsResult, SetSessionOptionsResult__Output as _arrow_flight_protocol_SetSessionOptionsResult__Output } from './arrow/flight/protocol/SetSessionOptionsResult';
import type { Ticket as _arrow_flight_protocol_Ticket, Ticket__Output as _arrow_flight_protocol_Ticket__Output } from './arrow/flight/protocol/Ticket';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  arrow: {
    flight: {
      protocol: {
        Action: MessageTypeDefinition<_arrow_flight_protocol_Action, _arrow_flight_protocol_Action__Output>
        ActionType: MessageTypeDefinition<_arrow_flight_protocol_ActionType, _arrow_flight_protocol_ActionType__Output>
        BasicAuth: MessageTypeDefinition<_arrow_flight_protocol_BasicAuth, _arrow_flight_protocol_BasicAuth__Output>
        CancelFlightInfoRequest: MessageTypeDefinition<_arrow_flight_protocol_CancelFlightInfoRequest, _arrow_flight_protocol_CancelFlightInfoRequest__Output>
        CancelFlightInfoResult: MessageTypeDefinition<_arrow_flight_protocol_CancelFlightInfoResult, _arrow_flight_protocol_CancelFlightInfoResult__Output>
        CancelStatus: EnumTypeDefinition
        CloseSessionRequest: MessageTypeDefinition<_arrow_flight_protocol_CloseSessionRequest, _arrow_flight_protocol_CloseSessionRequest__Output>
        CloseSessionResult: MessageTypeDefinition<_arrow_flight_protocol_CloseSessionResult, _arrow_flight_protocol_CloseSessionResult__Output>
        Criteria: MessageTypeDefinition<_arrow_flight_protocol_Criteria, _arrow_flight_protocol_Criteria__Output>
        Empty: MessageTypeDefinition<_arrow_flight_protocol_Empty, _arrow_flight_protocol_Empty__Output>
        FlightData: MessageTypeDefinition<_arrow_flight_protocol_FlightData, _arrow_flight_protocol_FlightData__Output>
        FlightDescriptor: MessageTypeDefinition<_arrow_flight_protocol_FlightDescriptor, _arrow_flight_protocol_FlightDescriptor__Output>
        FlightEndpoint: MessageTypeDefinition<_arrow_flight_protocol_FlightEndpoint, _arrow_flight_protocol_FlightEndpoint__Output>
        FlightInfo: MessageTypeDefinition<_arrow_flight_protocol_FlightInfo, _arrow_flight_protocol_FlightInfo__Output>
        FlightService: SubtypeConstructor<typeof grpc.Client, _arrow_flight_protocol_FlightServiceClient> & { service: _arrow_flight_protocol_FlightServiceDefinition }
        GetSessionOptionsRequest: MessageTypeDefinition<_arrow_flight_protocol_GetSessionOptionsRequest, _arrow_flight_protocol_GetSessionOptionsRequest__Output>
        GetSessionOptionsResult: MessageTypeDefinition<_arrow_flight_protocol_GetSessionOptionsResult, _arrow_flight_protocol_GetSessionOptionsResult__Output>
        HandshakeRequest: MessageTypeDefinition<_arrow_flight_protocol_HandshakeRequest, _arrow_flight_protocol_HandshakeRequest__Output>
        HandshakeResponse: MessageTypeDefinition<_arrow_flight_protocol_HandshakeResponse, _arrow_flight_protocol_HandshakeResponse__Output>
        Location: MessageTypeDefinition<_arrow_flight_protocol_Location, _arrow_flight_protocol_Location__Output>
        PollInfo: MessageTypeDefinition<_arrow_flight_protocol_PollInfo, _arrow_flight_protocol_PollInfo__Output>
        PutResult: MessageTypeDefinition<_arrow_flight_protocol_PutResult, _arrow_flight_protocol_PutResult__Output>
        RenewFlightEndpointRequest: MessageTypeDefinition<_arrow_flight_protocol_RenewFlightEndpointRequest, _arrow_flight_protocol_RenewFlightEndpointRequest__Output>
        Result: MessageTypeDefinition<_arrow_flight_protocol_Result, _arrow_flight_protocol_Result__Output>
        SchemaResult: MessageTypeDefinition<_arrow_flight_protocol_SchemaResult, _arrow_flight_protocol_SchemaResult__Output>
        SessionOptionValue: MessageTypeDefinition<_arrow_flight_protocol_SessionOptionValue, _arrow_flight_protocol_SessionOptionValue__Output>
        SetSessionOptionsRequest: MessageTypeDefinition<_arrow_flight_protocol_SetSessionOptionsRequest, _arrow_flight_protocol_SetSessionOptionsRequest__Output>
        SetSessionOptionsResult: MessageTypeDefinition<_arrow_flight_protocol_SetSessionOptionsResult, _arrow_flight_protocol_SetSessionOptionsResult__Output>
        Ticket: MessageTypeDefinition<_arrow_flight_protocol_Ticket, _arrow_flight_protocol_Ticket__Output>
      }
    }
  }
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
}

