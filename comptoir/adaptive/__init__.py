"""Adaptive engine: BKT per competency, prerequisite gating, next-activity choice, learner state.

The reference engine (`course`, `engine`, `state`) is pure Python; `engine.js` is its
hand-written twin for the browser player. Calibration and simulation need numpy.
"""
from .course import EngineCourse, EngineItem, EngineLesson, Params, engine_course
from .engine import (Activity, LearnerState, competency_status, initial_state, mastery,
                     next_activity, record_lesson, record_response, release_competency)
from .state import decode_state, encode_state

__all__ = ["EngineCourse", "EngineItem", "EngineLesson", "Params", "engine_course",
           "Activity", "LearnerState", "competency_status", "initial_state", "mastery",
           "next_activity", "record_lesson", "record_response", "release_competency",
           "decode_state", "encode_state"]
